import mongoose from 'mongoose'; const { MongoClient } = mongoose.mongo;
const c = new MongoClient(process.argv[2], {serverSelectionTimeoutMS: 5000}); 
const t=Date.now(); await c.connect(); await c.db('admin').command({ping:1}); console.log('ping ms', Date.now()-t); await c.close();
